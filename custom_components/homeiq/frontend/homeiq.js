/*! HomeIQ 0.1.0 — built from frontend/ (npm run build); do not edit */
var z=globalThis,U=z.ShadowRoot&&(z.ShadyCSS===void 0||z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ee=Symbol(),Ae=new WeakMap,T=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==ee)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(U&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=Ae.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&Ae.set(t,e))}return e}toString(){return this.cssText}},xe=i=>new T(typeof i=="string"?i:i+"",void 0,ee),y=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((s,r,n)=>s+(l=>{if(l._$cssResult$===!0)return l.cssText;if(typeof l=="number")return l;throw Error("Value passed to 'css' function must be a 'css' function result: "+l+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(r)+i[n+1],i[0]);return new T(t,i,ee)},Se=(i,e)=>{if(U)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),r=z.litNonce;r!==void 0&&s.setAttribute("nonce",r),s.textContent=t.cssText,i.appendChild(s)}},te=U?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return xe(t)})(i):i;var{is:tt,defineProperty:st,getOwnPropertyDescriptor:it,getOwnPropertyNames:rt,getOwnPropertySymbols:nt,getPrototypeOf:ot}=Object,B=globalThis,Ee=B.trustedTypes,at=Ee?Ee.emptyScript:"",lt=B.reactiveElementPolyfillSupport,j=(i,e)=>i,se={toAttribute(i,e){switch(e){case Boolean:i=i?at:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},Ce=(i,e)=>!tt(i,e),ke={attribute:!0,type:String,converter:se,reflect:!1,useDefault:!1,hasChanged:Ce};Symbol.metadata??=Symbol("metadata"),B.litPropertyMetadata??=new WeakMap;var b=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ke){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),r=this.getPropertyDescriptor(e,s,t);r!==void 0&&st(this.prototype,e,r)}}static getPropertyDescriptor(e,t,s){let{get:r,set:n}=it(this.prototype,e)??{get(){return this[t]},set(l){this[t]=l}};return{get:r,set(l){let h=r?.call(this);n?.call(this,l),this.requestUpdate(e,h,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ke}static _$Ei(){if(this.hasOwnProperty(j("elementProperties")))return;let e=ot(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(j("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(j("properties"))){let t=this.properties,s=[...rt(t),...nt(t)];for(let r of s)this.createProperty(r,t[r])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,r]of t)this.elementProperties.set(s,r)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let r=this._$Eu(t,s);r!==void 0&&this._$Eh.set(r,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let r of s)t.unshift(te(r))}else e!==void 0&&t.push(te(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Se(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,s);if(r!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:se).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(r):this.setAttribute(r,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,r=s._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let n=s.getPropertyOptions(r),l=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:se;this._$Em=r;let h=l.fromAttribute(t,n.type);this[r]=h??this._$Ej?.get(r)??h,this._$Em=null}}requestUpdate(e,t,s,r=!1,n){if(e!==void 0){let l=this.constructor;if(r===!1&&(n=this[e]),s??=l.getPropertyOptions(e),!((s.hasChanged??Ce)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(l._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:r,wrapped:n},l){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,l??t??this[e]),n!==!0||l!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),r===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[r,n]of this._$Ep)this[r]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[r,n]of s){let{wrapped:l}=n,h=this[r];l!==!0||this._$AL.has(r)||h===void 0||this.C(r,void 0,n,h)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};b.elementStyles=[],b.shadowRootOptions={mode:"open"},b[j("elementProperties")]=new Map,b[j("finalized")]=new Map,lt?.({ReactiveElement:b}),(B.reactiveElementVersions??=[]).push("2.1.2");var re=globalThis,Pe=i=>i,Q=re.trustedTypes,He=Q?Q.createPolicy("lit-html",{createHTML:i=>i}):void 0,ne="$lit$",w=`lit$${Math.random().toFixed(9).slice(2)}$`,oe="?"+w,ct=`<${oe}>`,E=document,I=()=>E.createComment(""),M=i=>i===null||typeof i!="object"&&typeof i!="function",ae=Array.isArray,Me=i=>ae(i)||typeof i?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,q=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Re=/-->/g,Te=/>/g,x=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),je=/'/g,qe=/"/g,De=/^(?:script|style|textarea|title)$/i,le=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),o=le(1),R=le(2),Ht=le(3),k=Symbol.for("lit-noChange"),a=Symbol.for("lit-nothing"),Ie=new WeakMap,S=E.createTreeWalker(E,129);function Oe(i,e){if(!ae(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return He!==void 0?He.createHTML(e):e}var Le=(i,e)=>{let t=i.length-1,s=[],r,n=e===2?"<svg>":e===3?"<math>":"",l=q;for(let h=0;h<t;h++){let c=i[h],g,f,d=-1,v=0;for(;v<c.length&&(l.lastIndex=v,f=l.exec(c),f!==null);)v=l.lastIndex,l===q?f[1]==="!--"?l=Re:f[1]!==void 0?l=Te:f[2]!==void 0?(De.test(f[2])&&(r=RegExp("</"+f[2],"g")),l=x):f[3]!==void 0&&(l=x):l===x?f[0]===">"?(l=r??q,d=-1):f[1]===void 0?d=-2:(d=l.lastIndex-f[2].length,g=f[1],l=f[3]===void 0?x:f[3]==='"'?qe:je):l===qe||l===je?l=x:l===Re||l===Te?l=q:(l=x,r=void 0);let $=l===x&&i[h+1].startsWith("/>")?" ":"";n+=l===q?c+ct:d>=0?(s.push(g),c.slice(0,d)+ne+c.slice(d)+w+$):c+w+(d===-2?h:$)}return[Oe(i,n+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},D=class i{constructor({strings:e,_$litType$:t},s){let r;this.parts=[];let n=0,l=0,h=e.length-1,c=this.parts,[g,f]=Le(e,t);if(this.el=i.createElement(g,s),S.currentNode=this.el.content,t===2||t===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(r=S.nextNode())!==null&&c.length<h;){if(r.nodeType===1){if(r.hasAttributes())for(let d of r.getAttributeNames())if(d.endsWith(ne)){let v=f[l++],$=r.getAttribute(d).split(w),N=/([.?@])?(.*)/.exec(v);c.push({type:1,index:n,name:N[2],strings:$,ctor:N[1]==="."?K:N[1]==="?"?W:N[1]==="@"?Y:P}),r.removeAttribute(d)}else d.startsWith(w)&&(c.push({type:6,index:n}),r.removeAttribute(d));if(De.test(r.tagName)){let d=r.textContent.split(w),v=d.length-1;if(v>0){r.textContent=Q?Q.emptyScript:"";for(let $=0;$<v;$++)r.append(d[$],I()),S.nextNode(),c.push({type:2,index:++n});r.append(d[v],I())}}}else if(r.nodeType===8)if(r.data===oe)c.push({type:2,index:n});else{let d=-1;for(;(d=r.data.indexOf(w,d+1))!==-1;)c.push({type:7,index:n}),d+=w.length-1}n++}}static createElement(e,t){let s=E.createElement("template");return s.innerHTML=e,s}};function C(i,e,t=i,s){if(e===k)return e;let r=s!==void 0?t._$Co?.[s]:t._$Cl,n=M(e)?void 0:e._$litDirective$;return r?.constructor!==n&&(r?._$AO?.(!1),n===void 0?r=void 0:(r=new n(i),r._$AT(i,t,s)),s!==void 0?(t._$Co??=[])[s]=r:t._$Cl=r),r!==void 0&&(e=C(i,r._$AS(i,e.values),r,s)),e}var V=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,r=(e?.creationScope??E).importNode(t,!0);S.currentNode=r;let n=S.nextNode(),l=0,h=0,c=s[0];for(;c!==void 0;){if(l===c.index){let g;c.type===2?g=new H(n,n.nextSibling,this,e):c.type===1?g=new c.ctor(n,c.name,c.strings,this,e):c.type===6&&(g=new F(n,this,e)),this._$AV.push(g),c=s[++h]}l!==c?.index&&(n=S.nextNode(),l++)}return S.currentNode=E,r}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},H=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,r){this.type=2,this._$AH=a,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=C(this,e,t),M(e)?e===a||e==null||e===""?(this._$AH!==a&&this._$AR(),this._$AH=a):e!==this._$AH&&e!==k&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Me(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==a&&M(this._$AH)?this._$AA.nextSibling.data=e:this.T(E.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,r=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=D.createElement(Oe(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===r)this._$AH.p(t);else{let n=new V(r,this),l=n.u(this.options);n.p(t),this.T(l),this._$AH=n}}_$AC(e){let t=Ie.get(e.strings);return t===void 0&&Ie.set(e.strings,t=new D(e)),t}k(e){ae(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,r=0;for(let n of e)r===t.length?t.push(s=new i(this.O(I()),this.O(I()),this,this.options)):s=t[r],s._$AI(n),r++;r<t.length&&(this._$AR(s&&s._$AB.nextSibling,r),t.length=r)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Pe(e).nextSibling;Pe(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},P=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,r,n){this.type=1,this._$AH=a,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=a}_$AI(e,t=this,s,r){let n=this.strings,l=!1;if(n===void 0)e=C(this,e,t,0),l=!M(e)||e!==this._$AH&&e!==k,l&&(this._$AH=e);else{let h=e,c,g;for(e=n[0],c=0;c<n.length-1;c++)g=C(this,h[s+c],t,c),g===k&&(g=this._$AH[c]),l||=!M(g)||g!==this._$AH[c],g===a?e=a:e!==a&&(e+=(g??"")+n[c+1]),this._$AH[c]=g}l&&!r&&this.j(e)}j(e){e===a?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},K=class extends P{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===a?void 0:e}},W=class extends P{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==a)}},Y=class extends P{constructor(e,t,s,r,n){super(e,t,s,r,n),this.type=5}_$AI(e,t=this){if((e=C(this,e,t,0)??a)===k)return;let s=this._$AH,r=e===a&&s!==a||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==a&&(s===a||r);r&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},F=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){C(this,e)}},Ne={M:ne,P:w,A:oe,C:1,L:Le,R:V,D:Me,V:C,I:H,H:P,N:W,U:Y,B:K,F},dt=re.litHtmlPolyfillSupport;dt?.(D,H),(re.litHtmlVersions??=[]).push("3.3.3");var ze=(i,e,t)=>{let s=t?.renderBefore??e,r=s._$litPart$;if(r===void 0){let n=t?.renderBefore??null;s._$litPart$=r=new H(e.insertBefore(I(),n),n,void 0,t??{})}return r._$AI(i),r};var ce=globalThis,u=class extends b{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=ze(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return k}};u._$litElement$=!0,u.finalized=!0,ce.litElementHydrateSupport?.({LitElement:u});var ht=ce.litElementPolyfillSupport;ht?.({LitElement:u});(ce.litElementVersions??=[]).push("4.2.2");var Ue=i=>(...e)=>({_$litDirective$:i,values:e}),J=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,s){this._$Ct=e,this._$AM=t,this._$Ci=s}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:Vt}=Ne;var ut={},Be=(i,e=ut)=>i._$AH=e;var Qe=Ue(class extends J{constructor(){super(...arguments),this.key=a}render(i,e){return this.key=i,e}update(i,[e,t]){return e!==this.key&&(Be(i),this.key=e),t}});var A=class{constructor(e,t){this.hass=e;this.entryId=t}engines(){return this.hass().callWS({type:"homeiq/engines"})}suggestions(e="pending",t=50){return this.call("homeiq/suggestions",{status:e,limit:t})}approve(e,t={}){return this.call("homeiq/suggestion/approve",{suggestion_id:e,...t})}reject(e,t){return this.call("homeiq/suggestion/reject",{suggestion_id:e,...t?{reason:t}:{}})}validate(e){return this.call("homeiq/validate",{yaml:e})}ask(e){return this.call("homeiq/ask",{text:e})}refine(e,t){return this.call("homeiq/refine",{query_id:e,answers:t})}automations(){return this.call("homeiq/automations",{})}versions(e){return this.call("homeiq/automation/versions",{automation_id:e})}rollback(e,t){return this.call("homeiq/automation/rollback",{automation_id:e,...t===void 0?{}:{version:t}})}setEnabled(e,t){let s=t?"homeiq/automation/enable":"homeiq/automation/disable";return this.call(s,{automation_id:e})}remove(e){return this.call("homeiq/automation/delete",{automation_id:e})}patterns(e={}){return this.call("homeiq/patterns",{limit:100,...e})}analysisStatus(){return this.call("homeiq/analysis/status",{})}runAnalysis(){return this.call("homeiq/analysis/run",{})}settings(e){return this.call("homeiq/settings",e?{settings:e}:{})}call(e,t){return this.hass().callWS({...t,...this.entryId?{entry_id:this.entryId}:{},type:e})}};function p(i){return typeof i=="object"&&i!==null&&"message"in i?String(i.message):String(i)}var de={"panel.title":"HomeIQ","panel.engine":"Engine","tab.suggestions":"Suggestions","tab.ask":"Ask","tab.automations":"Automations","tab.habits":"Habits","tab.settings":"Settings","common.loading":"Loading\u2026","common.error":"Something went wrong: {message}","common.refresh":"Refresh","common.cancel":"Cancel","common.save":"Save","common.none":"None","suggestions.empty":"No suggestions waiting. HomeIQ suggests new ones after each analysis.","suggestions.snoozed":"{count} snoozed for a day (kept in this browser)","suggestion.score":"Score {score}: how often this happened and how sure HomeIQ is.","suggestion.what":"What it does","suggestion.why":"Why","suggestion.when":"When","suggestion.only_if":"Only if","suggestion.then":"Then","suggestion.safety":"Safety {score}/100","suggestion.safe":"No safety concerns","suggestion.needs_confirmation":"Needs your confirmation: it controls a lock, alarm, garage door or valve.","suggestion.yaml":"Automation (YAML, editable)","suggestion.validating":"Checking\u2026","suggestion.valid":"Valid","suggestion.invalid":"Not valid","suggestion.approve":"Approve","suggestion.approve_edited":"Approve edited","suggestion.reject":"Reject","suggestion.reject_reason":"Why not? (optional)","suggestion.reject_confirm":"Reject suggestion","suggestion.snooze":"Snooze for a day","suggestion.no_evidence":"Asked for in words: no history behind it.","confirm.title":"Confirm this automation","confirm.text":"\u201C{title}\u201D controls a lock, alarm, garage door or valve. It will run by itself once deployed. Deploy it?","confirm.deploy":"Yes, deploy it","chart.label":"When it happened, day by day over {days} days (time of day, 0\u201324 h)","ask.placeholder":"e.g. when the front door opens after sunset, turn on the hall light for 5 minutes","ask.submit":"Ask","ask.command":"This is a command; Home Assistant would run:","ask.question":"Choose one:","automations.empty":"HomeIQ has not deployed any automation yet.","automations.version":"Version {version}","automations.versions":"Versions","automations.rollback":"Roll back","automations.rollback_to":"Roll back to this version","automations.disable":"Disable","automations.enable":"Enable","automations.delete":"Delete","automations.delete_confirm":"Delete this automation from Home Assistant?","automations.edit":"Open in editor","automations.traces":"Traces","automations.deployed_at":"deployed {time}","status.deployed":"Deployed","status.disabled":"Disabled","status.removed":"Removed","habits.type":"Type","habits.area":"Area","habits.entity":"Entity","habits.any":"Any","habits.empty":"No habits found yet.","habits.confidence":"confidence {value}, on {support} of {observed} days","analysis.title":"Analysis","analysis.run":"Run now","analysis.never":"No analysis has run yet.","analysis.last":"Last run {time}: {status}","analysis.progress":"Running: {percent}%","analysis.stats":"{events} events, {patterns} patterns","type.time_of_day":"Time of day","type.co_occurrence":"Together","type.anomaly":"Unusual","type.routine":"Routine","settings.analysis_time":"Daily analysis at (HH:MM, or off)","settings.analysis_days":"Days of history to analyse","settings.min_score":"Minimum score of a suggestion (0\u20131)","settings.exclude_areas":"Areas to leave out","settings.exclude_entities":"Entities to leave out (comma separated)","settings.exclude_labels":"Labels to leave out (comma separated)","settings.language":"Language of requests","settings.llm_backend":"Language model","settings.llm_model":"Model","settings.llm_ai_task_entity":"AI task entity","settings.llm.off":"Off","settings.llm.openai":"OpenAI-compatible","settings.llm.ha_ai_task":"Home Assistant AI task","settings.saved":"Settings saved.","card.title":"HomeIQ suggestions","card.name":"HomeIQ suggestions","card.description":"The best suggestions HomeIQ has for your home, with Approve and Reject.","card.empty":"No suggestions waiting."},Ve={en:de};function m(i,e,t={}){let s=i?.language??"en";return((Ve[s]??Ve[s.split("-")[0]]??de)[e]??de[e]).replace(/\{(\w+)\}/g,(l,h)=>h in t?String(t[h]):l)}var _=y`
  :host {
    color: var(--primary-text-color);
    font-family: var(--paper-font-body1_-_font-family, var(--ha-font-family-body, Roboto, sans-serif));
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
    margin: 0 0 16px;
  }
  h2,
  h3 {
    margin: 0 0 8px;
    font-weight: 500;
  }
  h2 {
    font-size: 1.2em;
  }
  h3 {
    font-size: 1em;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.9em;
  }
  .error {
    color: var(--error-color, #db4437);
  }
  .warning {
    color: var(--warning-color, #ffa600);
  }
  .success {
    color: var(--success-color, #43a047);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 4px;
    padding: 6px 12px;
    border: 1px solid var(--primary-color, #03a9f4);
    background: transparent;
    color: var(--primary-color, #03a9f4);
  }
  button.primary {
    background: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--secondary-background-color, #f5f5f5);
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: 4px;
    padding: 6px 8px;
    box-sizing: border-box;
  }
  textarea.yaml,
  pre {
    font-family: var(--code-font-family, monospace);
    font-size: 0.85em;
  }
  textarea.yaml {
    width: 100%;
    min-height: 12em;
  }
  pre {
    white-space: pre-wrap;
    margin: 0;
  }
  a {
    color: var(--primary-color, #03a9f4);
  }
  label {
    display: block;
    margin: 8px 0;
  }
  label > input,
  label > select {
    display: block;
    width: 100%;
    max-width: 420px;
    margin-top: 4px;
  }
`;var he=class extends u{static{this.properties={open:{type:Boolean,reflect:!0},heading:{},text:{},confirmLabel:{attribute:!1},cancelLabel:{attribute:!1}}}constructor(){super(),this.open=!1,this.heading="",this.text="",this.confirmLabel="OK",this.cancelLabel="Cancel"}static{this.styles=[_,y`
      .scrim {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
      }
      .dialog {
        max-width: 420px;
        margin: 16px;
      }
      .row {
        justify-content: flex-end;
        margin-top: 16px;
      }
    `]}render(){return this.open?o`<div class="scrim">
      <div class="dialog card" role="alertdialog" aria-modal="true" aria-label=${this.heading}>
        <h2>${this.heading}</h2>
        <p>${this.text}</p>
        <div class="row">
          <button class="cancel" @click=${()=>this.close("homeiq-cancel")}>${this.cancelLabel}</button>
          <button class="primary confirm" @click=${()=>this.close("homeiq-confirm")}>${this.confirmLabel}</button>
        </div>
      </div>
    </div>`:a}close(e){this.open=!1,this.dispatchEvent(new CustomEvent(e,{bubbles:!0,composed:!0}))}};customElements.get("homeiq-confirm-dialog")||customElements.define("homeiq-confirm-dialog",he);var pt={door:{on:"opens",off:"closes"},garage_door:{on:"opens",off:"closes",open:"opens",closed:"closes"},window:{on:"opens",off:"closes"},opening:{on:"opens",off:"closes"},motion:{on:"detects motion",off:"detects no motion"},occupancy:{on:"detects someone",off:"detects nobody"},presence:{on:"detects someone",off:"detects nobody"},lock:{locked:"is locked",unlocked:"is unlocked"},person:{home:"comes home",not_home:"leaves home"}};function O(i){return typeof i=="string"?[i]:Array.isArray(i)?i.filter(e=>typeof e=="string"):[]}function mt(i,e){let t=i?.states[e]?.attributes.friendly_name;return typeof t=="string"?t:e}function gt(i,e){let t=i?.states[e]?.attributes.device_class,s=e.split(".")[0];return typeof t=="string"?t:s}function Ke(i,e,t){return typeof t!="string"?"changes":pt[gt(i,e)]?.[t]??`becomes ${t.replace(/_/g," ")}`}function Z(i,e){return e.map(t=>mt(i,t)).join(", ")}function We(i){return typeof i=="string"?i:typeof i=="object"&&i!==null?Object.entries(i).filter(([,e])=>e).map(([e,t])=>`${t} ${e}`).join(" "):String(i)}function ft(i){return i?` (${String(i)})`:""}function Ye(i,e){let t=O(e.entity_id),s=e.for?` for ${We(e.for)}`:"";switch(e.trigger??e.platform){case"state":return`${Z(i,t)} ${Ke(i,t[0]??"",e.to)}${s}`;case"time":return`at ${O(e.at).join(", ")}`;case"sun":return`at ${String(e.event)}${ft(e.offset)}`;case"numeric_state":return`${Z(i,t)} goes${e.above!==void 0?` above ${String(e.above)}`:""}${e.below!==void 0?` below ${String(e.below)}`:""}`;case"time_pattern":return`every ${[e.hours&&`${String(e.hours)} h`,e.minutes&&`${String(e.minutes)} min`].filter(Boolean).join(" ")}`;default:return String(e.trigger??e.platform??"?")}}function _t(i,e){let t=O(e.entity_id);switch(e.condition){case"state":return`${Z(i,t)} ${Ke(i,t[0]??"",e.state).replace(/^(opens|closes|comes|leaves|detects)/,s=>`still ${s}`)}`;case"time":return[e.after?`after ${String(e.after)}`:"",e.before?`before ${String(e.before)}`:"",e.weekday?`on ${O(e.weekday).join(", ")}`:""].filter(Boolean).join(" ");case"sun":return[e.after?`after ${String(e.after)}`:"",e.before?`before ${String(e.before)}`:""].filter(Boolean).join(" and ");default:return String(e.condition??"?")}}function yt(i,e){if(typeof e.action=="string"){let t=e.target??{},[s,r=""]=e.action.split("."),n=O(t.entity_id??e.data?.entity_id),l=n.length?Z(i,n):s;return`${r.replace(/_/g," ")} ${l}`}return e.delay!==void 0?`wait ${We(e.delay)}`:e.wait_for_trigger!==void 0?`wait until ${(Array.isArray(e.wait_for_trigger)?e.wait_for_trigger:[e.wait_for_trigger]).map(s=>Ye(i,s)).join(" or ")}`:Object.keys(e)[0]??"?"}function ue(i){return Array.isArray(i)?i:i?[i]:[]}function Fe(i,e){return{when:ue(e.triggers??e.trigger).map(t=>Ye(i,t)),onlyIf:ue(e.conditions??e.condition).map(t=>_t(i,t)),then:ue(e.actions??e.action).map(t=>yt(i,t))}}var G=600,vt=[0,6,12,18,24];function $t(i){let[e=0,t=0,s=0]=i.split(":").map(Number);return e*3600+t*60+s}var pe=class extends u{static{this.properties={hass:{attribute:!1},evidence:{attribute:!1},compact:{type:Boolean}}}constructor(){super(),this.compact=!1}static{this.styles=y`
    :host {
      display: block;
      margin: 8px 0;
    }
    svg {
      width: 100%;
      max-width: 600px;
      height: auto;
      display: block;
    }
    .grid {
      stroke: var(--divider-color, #e0e0e0);
      stroke-width: 0.5;
    }
    .axis {
      fill: var(--secondary-text-color, #727272);
      font-size: 9px;
    }
    .day {
      fill: var(--secondary-background-color, #f5f5f5);
    }
    .hit {
      fill: var(--primary-color, #03a9f4);
    }
  `}render(){let e=this.evidence?.days??[];if(e.length===0)return a;let t=this.compact?60:120,s=this.compact?2:26,r=4,n=G-s-2,l=t-r-(this.compact?2:12),h=n/e.length,c=d=>r+d/86400*l,g=e.filter(d=>d.times.length>0).length,f=m(this.hass,"chart.label",{days:e.length});return o`<svg
      class="evidence-chart"
      viewBox="0 0 ${G} ${t}"
      role="img"
      aria-label="${f}"
      data-days="${e.length}"
      data-days-with-times="${g}"
    >
      <title>${f}</title>
      ${e.map((d,v)=>R`<rect class="day" x="${s+v*h+h*.1}" y="${r}"
            width="${h*.8}" height="${l}"><title>${d.date}: ${d.times.join(", ")}</title></rect>`)}
      ${vt.map(d=>R`<line class="grid" x1="${s}" x2="${G-2}" y1="${c(d*3600)}" y2="${c(d*3600)}"></line>
          ${this.compact?a:R`<text class="axis" x="0" y="${c(d*3600)+3}">${String(d).padStart(2,"0")}h</text>`}`)}
      ${e.flatMap((d,v)=>d.times.map($=>R`<circle class="hit" cx="${s+v*h+h/2}" cy="${c($t($))}"
              r="${Math.max(1.2,Math.min(3,h/3))}"></circle>`))}
      ${this.compact?a:R`<text class="axis" x="${s}" y="${t-2}">${e[0].date}</text>
          <text class="axis" x="${G-2}" y="${t-2}" text-anchor="end">${e[e.length-1].date}</text>`}
    </svg>`}};customElements.get("homeiq-evidence-chart")||customElements.define("homeiq-evidence-chart",pe);var me="homeiq.snoozed";function Je(){try{let i=JSON.parse(window.localStorage.getItem(me)??"{}");return typeof i=="object"&&i!==null?i:{}}catch{return{}}}function X(i=Date.now()){let e=Object.fromEntries(Object.entries(Je()).filter(([,t])=>t>i));return window.localStorage.setItem(me,JSON.stringify(e)),new Set(Object.keys(e))}function Ze(i,e=Date.now()){window.localStorage.setItem(me,JSON.stringify({...Je(),[i]:e+864e5}))}var ge=class extends u{constructor(){super();this._validationRound=0;this.compact=!1,this.validateDelay=500,this._validating=!1,this._confirming=!1,this._rejecting=!1,this._busy=!1}static{this.properties={hass:{attribute:!1},api:{attribute:!1},suggestion:{attribute:!1},compact:{type:Boolean},validateDelay:{type:Number},_yaml:{state:!0},_validation:{state:!0},_validating:{state:!0},_confirming:{state:!0},_rejecting:{state:!0},_busy:{state:!0},_error:{state:!0}}}static{this.styles=[_,y`
      :host {
        display: block;
      }
      .plain {
        margin: 8px 0;
        padding-left: 0;
        list-style: none;
      }
      .plain li {
        margin: 2px 0;
      }
      .plain b {
        display: inline-block;
        min-width: 4.5em;
      }
      .issues {
        margin: 4px 0;
        padding-left: 20px;
      }
      details {
        margin: 8px 0;
      }
      .decisions {
        margin-top: 12px;
      }
      .reject input {
        flex: 1;
        min-width: 12em;
      }
    `]}disconnectedCallback(){super.disconnectedCallback(),clearTimeout(this._timer)}t(t,s){return m(this.hass,t,s)}get edited(){return this._yaml!==void 0&&this._yaml!==this.suggestion.yaml}get requiresConfirmation(){return this._validation?.requires_confirmation??this.suggestion.requires_confirmation}render(){let t=this.suggestion,s=Fe(this.hass,t.automation),r=this._validation??t.validation,n=t.evidence?.days??[];return o`<article class="card suggestion" data-id=${t.id}>
      <h2>${t.title}</h2>
      <div class="secondary score">${this.t("suggestion.score",{score:t.score.toFixed(2)})}</div>
      <p class="description">${t.description}</p>
      ${this.compact?a:this.renderPlain(s.when,s.onlyIf,s.then)}
      ${t.explanation?o`<p class="explanation"><b>${this.t("suggestion.why")}:</b> ${t.explanation}</p>`:a}
      ${n.length>0?o`<homeiq-evidence-chart .hass=${this.hass} .evidence=${t.evidence} ?compact=${this.compact}></homeiq-evidence-chart>`:this.compact?a:o`<p class="secondary">${this.t("suggestion.no_evidence")}</p>`}
      ${this.compact?a:this.renderSafety(r.safety.score,r.safety.issues)}
      ${this.requiresConfirmation?o`<p class="warning needs-confirmation">${this.t("suggestion.needs_confirmation")}</p>`:a}
      ${this.compact?a:this.renderYaml()}
      ${this.renderDecisions()}
      ${this._error?o`<p class="error">${this._error}</p>`:a}
      <homeiq-confirm-dialog
        .open=${this._confirming}
        .heading=${this.t("confirm.title")}
        .text=${this.t("confirm.text",{title:t.title})}
        .confirmLabel=${this.t("confirm.deploy")}
        .cancelLabel=${this.t("common.cancel")}
        @homeiq-confirm=${()=>this.approve(!0)}
        @homeiq-cancel=${()=>this._confirming=!1}
      ></homeiq-confirm-dialog>
    </article>`}renderPlain(t,s,r){let n=(l,h)=>h.length?o`<li><b>${this.t(l)}</b> ${h.join("; ")}</li>`:a;return o`<ul class="plain">
      ${n("suggestion.when",t)} ${n("suggestion.only_if",s)} ${n("suggestion.then",r)}
    </ul>`}renderSafety(t,s){return o`<div class="safety ${s.length?"warning":"success"}">
      ${this.t("suggestion.safety",{score:t})}: ${s.length?a:this.t("suggestion.safe")}
      ${this.renderIssues(s)}
    </div>`}renderIssues(t,s=""){return t.length?o`<ul class="issues ${s}">${t.map(r=>o`<li>${r.message}</li>`)}</ul>`:a}renderYaml(){let t=this._validation,s=a;return this._validating?s=o`<span class="secondary">${this.t("suggestion.validating")}</span>`:t&&(s=t.valid?o`<span class="success">${this.t("suggestion.valid")}</span>`:o`<span class="error">${this.t("suggestion.invalid")}</span>`),o`<details class="yaml" open>
      <summary>${this.t("suggestion.yaml")} <span class="validation">${s}</span></summary>
      <textarea
        class="yaml"
        spellcheck="false"
        aria-label=${this.t("suggestion.yaml")}
        .value=${this._yaml??this.suggestion.yaml}
        @input=${this.onYamlInput}
      ></textarea>
      ${t?this.renderIssues(t.errors,"error"):a}
      ${t?this.renderIssues(t.warnings,"warning"):a}
    </details>`}renderDecisions(){let t=this._validation!==void 0&&!this._validation.valid;return o`<div class="row decisions">
        <button class="primary approve" ?disabled=${this._busy||t} @click=${this.onApprove}>
          ${this.t(this.edited?"suggestion.approve_edited":"suggestion.approve")}
        </button>
        <button class="danger reject-open" ?disabled=${this._busy} @click=${()=>this._rejecting=!this._rejecting}>
          ${this.t("suggestion.reject")}
        </button>
        ${this.compact?a:o`<button class="snooze" ?disabled=${this._busy} @click=${this.onSnooze}>${this.t("suggestion.snooze")}</button>`}
      </div>
      ${this._rejecting?o`<div class="row reject">
            <input class="reason" placeholder=${this.t("suggestion.reject_reason")} aria-label=${this.t("suggestion.reject_reason")} />
            <button class="danger reject" ?disabled=${this._busy} @click=${this.onReject}>${this.t("suggestion.reject_confirm")}</button>
          </div>`:a}`}onYamlInput(t){this._yaml=t.target.value,clearTimeout(this._timer),this._timer=setTimeout(()=>{this.validate()},this.validateDelay)}async validate(){if(!this.api)return;let t=++this._validationRound;this._validating=!0;try{let s=await this.api.validate(this._yaml??this.suggestion.yaml);t===this._validationRound&&(this._validation=s)}catch(s){t===this._validationRound&&(this._error=p(s))}finally{t===this._validationRound&&(this._validating=!1)}}onApprove(){this.requiresConfirmation?this._confirming=!0:this.approve(!1)}async approve(t){if(this.api){this._confirming=!1,this._busy=!0,this._error=void 0;try{let s=await this.api.approve(this.suggestion.id,{...t?{confirm:!0}:{},...this.edited?{yaml:this._yaml}:{}});this.done(s.message)}catch(s){s.code==="confirmation_required"&&!t?this._confirming=!0:this._error=p(s)}finally{this._busy=!1}}}async onReject(){if(!this.api)return;let t=this.renderRoot.querySelector("input.reason");this._busy=!0,this._error=void 0;try{let s=await this.api.reject(this.suggestion.id,t?.value.trim()||void 0);this.done(s.message)}catch(s){this._error=p(s)}finally{this._busy=!1}}onSnooze(){Ze(this.suggestion.id),this.done(this.t("suggestion.snooze"))}done(t){this.dispatchEvent(new CustomEvent("homeiq-suggestion-done",{detail:{id:this.suggestion.id,message:t},bubbles:!0,composed:!0}))}};customElements.get("homeiq-suggestion")||customElements.define("homeiq-suggestion",ge);var fe=class extends u{static{this.properties={hass:{attribute:!1},api:{attribute:!1},_query:{state:!0},_message:{state:!0},_busy:{state:!0},_error:{state:!0}}}static{this.styles=[_,y`
      textarea.text {
        width: 100%;
        min-height: 4em;
      }
      .options {
        margin: 8px 0 16px;
      }
    `]}constructor(){super(),this._busy=!1}t(e){return m(this.hass,e)}render(){return o`<div class="card">
        <textarea
          class="text"
          aria-label=${this.t("tab.ask")}
          placeholder=${this.t("ask.placeholder")}
          @keydown=${e=>{e.key==="Enter"&&!e.shiftKey&&(e.preventDefault(),this.ask())}}
        ></textarea>
        <div class="row">
          <button class="primary ask" ?disabled=${this._busy} @click=${()=>this.ask()}>${this.t("ask.submit")}</button>
        </div>
      </div>
      ${this._error?o`<p class="error">${this._error}</p>`:a}
      ${this._message?o`<p class="message">${this._message}</p>`:a}
      ${this._query?this.renderQuery(this._query):a}`}renderQuery(e){return o`${e.clarifications.map(t=>this.renderClarification(e,t))}
    ${e.kind==="command"&&e.actions.length?o`<div class="card command">
          <h3>${this.t("ask.command")}</h3>
          <pre>${e.actions.map(t=>JSON.stringify(t,null,2)).join(`
`)}</pre>
        </div>`:a}
    ${e.suggestions.map(t=>o`<homeiq-suggestion
          .hass=${this.hass}
          .api=${this.api}
          .suggestion=${t}
          @homeiq-suggestion-done=${s=>{this._message=s.detail.message,this._query={...e,suggestions:e.suggestions.filter(r=>r.id!==s.detail.id)}}}
        ></homeiq-suggestion>`)}`}renderClarification(e,t){return o`<div class="card clarification" data-id=${t.id}>
      <h3>${t.question}</h3>
      <div class="row options">
        ${t.options.map(s=>o`<button class="option" data-value=${s.value} ?disabled=${this._busy}
              @click=${()=>this.refine(e.query_id,{[t.id]:s.value})}>${s.label}</button>`)}
      </div>
    </div>`}async ask(){let e=this.renderRoot.querySelector("textarea.text")?.value.trim();!e||!this.api||await this.run(()=>this.api.ask(e))}async refine(e,t){await this.run(()=>this.api.refine(e,t))}async run(e){this._busy=!0,this._error=void 0;try{let t=await e();this._query=t,this._message=t.message}catch(t){this._error=p(t)}finally{this._busy=!1}}};customElements.get("homeiq-ask-view")||customElements.define("homeiq-ask-view",fe);function bt(i){return i.startsWith("+++")||i.startsWith("---")?"":i.startsWith("+")?"add":i.startsWith("-")?"del":""}var _e=class extends u{static{this.properties={hass:{attribute:!1},api:{attribute:!1},_automations:{state:!0},_versions:{state:!0},_busy:{state:!0},_error:{state:!0}}}static{this.styles=[_,y`
      .diff .add {
        color: var(--success-color, #43a047);
      }
      .diff .del {
        color: var(--error-color, #db4437);
      }
      .version {
        border-top: 1px solid var(--divider-color, #e0e0e0);
        padding: 8px 0;
      }
    `]}constructor(){super(),this._versions={},this._busy=!1}connectedCallback(){super.connectedCallback(),this.load()}t(e,t){return m(this.hass,e,t)}async load(){if(this.api)try{this._automations=(await this.api.automations()).automations;let e=Object.keys(this._versions),t=await Promise.all(e.map(s=>this.api.versions(s)));this._versions=Object.fromEntries(e.map((s,r)=>[s,t[r].versions])),this._error=void 0}catch(e){this._error=p(e)}}render(){return this._error&&!this._automations?o`<p class="error">${this._error}</p>`:this._automations?o`<div class="row"><button class="refresh" @click=${()=>this.load()}>${this.t("common.refresh")}</button></div>
      ${this._error?o`<p class="error">${this._error}</p>`:a}
      ${this._automations.length===0?o`<p class="secondary empty">${this.t("automations.empty")}</p>`:a}
      ${this._automations.map(e=>this.renderAutomation(e))}`:o`<p class="secondary">${this.t("common.loading")}</p>`}renderAutomation(e){let t=encodeURIComponent(e.automation_id),s=this._versions[e.automation_id],r=e.status==="deployed";return o`<div class="card automation" data-id=${e.automation_id}>
      <h2>${e.alias??e.automation_id}</h2>
      <div class="secondary">
        <span class="status">${this.t(`status.${e.status}`)}</span> ·
        <span class="version-number">${this.t("automations.version",{version:e.version})}</span> ·
        ${this.t("automations.deployed_at",{time:new Date(e.deployed_at).toLocaleString(this.hass?.language)})}
        ${e.entity_id?o` · ${e.entity_id}`:a}
      </div>
      <div class="row" style="margin-top: 8px">
        <a class="edit" href="/config/automation/edit/${t}">${this.t("automations.edit")}</a>
        <a class="trace" href="/config/automation/trace/${t}">${this.t("automations.traces")}</a>
        <button class="versions" @click=${()=>this.toggleVersions(e.automation_id)}>${this.t("automations.versions")}</button>
        <button class="rollback" ?disabled=${this._busy||e.version<2}
          @click=${()=>this.act(()=>this.api.rollback(e.automation_id))}>${this.t("automations.rollback")}</button>
        <button class="toggle" ?disabled=${this._busy||e.status==="removed"}
          @click=${()=>this.act(()=>this.api.setEnabled(e.automation_id,!r))}>
          ${this.t(r?"automations.disable":"automations.enable")}
        </button>
        <button class="danger delete" ?disabled=${this._busy||e.status==="removed"}
          @click=${()=>{window.confirm(this.t("automations.delete_confirm"))&&this.act(()=>this.api.remove(e.automation_id))}}>${this.t("automations.delete")}</button>
      </div>
      ${s?[...s].sort((n,l)=>l.version-n.version).map(n=>this.renderVersion(e,n)):a}
    </div>`}renderVersion(e,t){return o`<div class="version" data-version=${t.version}>
      <div class="row">
        <b>${this.t("automations.version",{version:t.version})}</b>
        <span class="secondary">${new Date(t.created_at).toLocaleString(this.hass?.language)}</span>
        ${t.version===e.version?a:o`<button class="rollback-to" ?disabled=${this._busy}
              @click=${()=>this.act(()=>this.api.rollback(e.automation_id,t.version))}>
              ${this.t("automations.rollback_to")}</button>`}
      </div>
      ${t.diff?o`<pre class="diff">${t.diff.split(`
`).map(s=>o`<span class=${bt(s)}>${s}</span>\n`)}</pre>`:a}
    </div>`}async toggleVersions(e){if(this._versions[e]){let{[e]:t,...s}=this._versions;this._versions=s;return}try{let{versions:t}=await this.api.versions(e);this._versions={...this._versions,[e]:t}}catch(t){this._error=p(t)}}async act(e){this._busy=!0,this._error=void 0;try{await e(),await this.load()}catch(t){this._error=p(t)}finally{this._busy=!1}}};customElements.get("homeiq-automations-view")||customElements.define("homeiq-automations-view",_e);var wt=["time_of_day","co_occurrence","routine","anomaly"],At=2e3,ye=class extends u{static{this.properties={hass:{attribute:!1},api:{attribute:!1},_patterns:{state:!0},_runs:{state:!0},_type:{state:!0},_area:{state:!0},_entity:{state:!0},_error:{state:!0}}}static{this.styles=_}constructor(){super(),this._runs=[],this._type="",this._area="",this._entity=""}connectedCallback(){super.connectedCallback(),this.load(),this.loadStatus()}disconnectedCallback(){super.disconnectedCallback(),clearTimeout(this._poll)}t(e,t){return m(this.hass,e,t)}async load(){if(this.api)try{let e=await this.api.patterns({...this._type?{pattern_type:this._type}:{},...this._entity?{entity_id:this._entity}:{}});this._patterns=e.patterns,this._error=void 0}catch(e){this._error=p(e)}}async loadStatus(){if(!this.api)return;clearTimeout(this._poll);try{this._runs=(await this.api.analysisStatus()).runs}catch(t){this._error=p(t);return}let e=this._runs[0];e&&(e.status==="queued"||e.status==="running")&&this.isConnected&&(this._poll=setTimeout(()=>{this.loadStatus().then(()=>this._runs[0]?.status==="succeeded"?this.load():void 0)},At))}areaOf(e){let t=this.hass?.entities?.[e];if(t)return t.area_id??(t.device_id?this.hass?.devices?.[t.device_id]?.area_id??void 0:void 0)}render(){let e=Object.values(this.hass?.areas??{}).sort((s,r)=>s.name.localeCompare(r.name)),t=(this._patterns??[]).filter(s=>!this._area||s.entities.some(r=>this.areaOf(r)===this._area));return o`${this.renderStatus()}
      <div class="card row filters">
        <label>${this.t("habits.type")}
          <select class="type" @change=${s=>{this._type=s.target.value,this.load()}}>
            <option value="">${this.t("habits.any")}</option>
            ${wt.map(s=>o`<option value=${s} ?selected=${this._type===s}>${this.t(`type.${s}`)}</option>`)}
          </select>
        </label>
        <label>${this.t("habits.area")}
          <select class="area" @change=${s=>this._area=s.target.value}>
            <option value="">${this.t("habits.any")}</option>
            ${e.map(s=>o`<option value=${s.area_id} ?selected=${this._area===s.area_id}>${s.name}</option>`)}
          </select>
        </label>
        <label>${this.t("habits.entity")}
          <input class="entity" list="homeiq-entities" .value=${this._entity} @change=${s=>{this._entity=s.target.value.trim(),this.load()}} />
          <datalist id="homeiq-entities">
            ${Object.keys(this.hass?.states??{}).map(s=>o`<option value=${s}></option>`)}
          </datalist>
        </label>
      </div>
      ${this._error?o`<p class="error">${this._error}</p>`:a}
      ${this._patterns===void 0?o`<p class="secondary">${this.t("common.loading")}</p>`:t.length===0?o`<p class="secondary empty">${this.t("habits.empty")}</p>`:t.map(s=>this.renderPattern(s))}`}renderStatus(){let e=this._runs[0],t;if(!e)t=this.t("analysis.never");else if(e.status==="queued"||e.status==="running")t=this.t("analysis.progress",{percent:Math.round(e.progress*100)});else{let r=e.finished_at??e.started_at;t=this.t("analysis.last",{time:r?new Date(r).toLocaleString(this.hass?.language):"",status:e.status})}let s=e?.status==="queued"||e?.status==="running";return o`<div class="card analysis">
      <h2>${this.t("analysis.title")}</h2>
      <div class="row">
        <span class="analysis-status">${t}</span>
        ${s?o`<progress max="1" .value=${e.progress}></progress>`:a}
        ${e?.stats?o`<span class="secondary">${this.t("analysis.stats",{events:e.stats.events??0,patterns:e.stats.patterns??0})}</span>`:a}
        <button class="primary run" ?disabled=${s} @click=${()=>this.run()}>${this.t("analysis.run")}</button>
      </div>
    </div>`}renderPattern(e){return o`<div class="card pattern" data-id=${e.id}>
      <h3>${this.t(`type.${e.type}`)}</h3>
      <p>${e.description}</p>
      <div class="secondary">
        ${this.t("habits.confidence",{value:e.confidence.toFixed(2),support:e.support_days,observed:e.observed_days})}
      </div>
      <homeiq-evidence-chart .hass=${this.hass} .evidence=${e.evidence}></homeiq-evidence-chart>
    </div>`}async run(){try{await this.api.runAnalysis()}catch(e){e.code!=="conflict"&&(this._error=p(e))}await this.loadStatus()}};customElements.get("homeiq-habits-view")||customElements.define("homeiq-habits-view",ye);var xt=["off","openai","ha_ai_task"];function Ge(i){return i.split(",").map(e=>e.trim()).filter(Boolean)}var ve=class extends u{static{this.properties={hass:{attribute:!1},api:{attribute:!1},_settings:{state:!0},_saved:{state:!0},_error:{state:!0}}}static{this.styles=_}constructor(){super(),this._saved=!1}connectedCallback(){super.connectedCallback(),this.load()}t(e){return m(this.hass,e)}async load(){if(this.api)try{this._settings=await this.api.settings()}catch(e){this._error=p(e)}}render(){let e=this._settings;if(!e)return this._error?o`<p class="error">${this._error}</p>`:o`<p class="secondary">${this.t("common.loading")}</p>`;let t=Object.values(this.hass?.areas??{}),s=new Set(t.map(n=>n.area_id)),r=[...t,...e.exclude.areas.filter(n=>!s.has(n)).map(n=>({area_id:n,name:n}))];return o`<form class="card settings" @submit=${this.onSubmit}>
      <label>${this.t("settings.analysis_time")}
        <input name="analysis_time" .value=${e.analysis_time} pattern="off|([01]\\d|2[0-3]):[0-5]\\d" required />
      </label>
      <label>${this.t("settings.analysis_days")}
        <input name="analysis_days" type="number" min="1" step="1" .value=${String(e.analysis_days)} required />
      </label>
      <label>${this.t("settings.min_score")}
        <input name="min_score" type="number" min="0" max="1" step="0.01" .value=${String(e.min_score)} required />
      </label>
      <fieldset>
        <legend>${this.t("settings.exclude_areas")}</legend>
        ${r.length===0?o`<span class="secondary">${this.t("common.none")}</span>`:a}
        ${r.map(n=>o`<label style="display:inline-block;margin-right:12px">
            <input type="checkbox" name="exclude_area" value=${n.area_id} ?checked=${e.exclude.areas.includes(n.area_id)} />
            ${n.name}</label>`)}
      </fieldset>
      <label>${this.t("settings.exclude_entities")}
        <input name="exclude_entities" .value=${e.exclude.entities.join(", ")} />
      </label>
      <label>${this.t("settings.exclude_labels")}
        <input name="exclude_labels" .value=${e.exclude.labels.join(", ")} />
      </label>
      <label>${this.t("settings.language")}
        <input name="language" .value=${e.language} required />
      </label>
      <label>${this.t("settings.llm_backend")}
        <select name="llm_backend">
          ${xt.map(n=>o`<option value=${n} ?selected=${e.llm.backend===n}>${this.t(`settings.llm.${n}`)}</option>`)}
        </select>
      </label>
      <label>${this.t("settings.llm_model")}
        <input name="llm_model" .value=${e.llm.model??""} />
      </label>
      <label>${this.t("settings.llm_ai_task_entity")}
        <input name="llm_ai_task_entity" .value=${e.llm.ai_task_entity??""} />
      </label>
      <div class="row">
        <button class="primary save" type="submit">${this.t("common.save")}</button>
        ${this._saved?o`<span class="success saved">${this.t("settings.saved")}</span>`:a}
        ${this._error?o`<span class="error">${this._error}</span>`:a}
      </div>
    </form>`}read(e){let t=n=>e.elements.namedItem(n).value.trim(),s=[...e.querySelectorAll('input[name="exclude_area"]')].filter(n=>n.checked).map(n=>n.value),r=t("llm_backend");return{analysis_time:t("analysis_time"),analysis_days:Number(t("analysis_days")),min_score:Number(t("min_score")),exclude:{areas:s,entities:Ge(t("exclude_entities")),labels:Ge(t("exclude_labels"))},language:t("language"),llm:{backend:r,model:t("llm_model")||null,ai_task_entity:t("llm_ai_task_entity")||null}}}async onSubmit(e){e.preventDefault();let t={...this._settings,llm:{backend:this._settings.llm.backend,model:this._settings.llm.model??null,ai_task_entity:this._settings.llm.ai_task_entity??null}},s=this.read(e.target),r=Object.fromEntries(Object.entries(s).filter(([n,l])=>JSON.stringify(l)!==JSON.stringify(t[n])));this._saved=!1,this._error=void 0;try{this._settings=await this.api.settings(r),this._saved=!0}catch(n){this._error=p(n)}}};customElements.get("homeiq-settings-view")||customElements.define("homeiq-settings-view",ve);var $e=class extends u{static{this.properties={hass:{attribute:!1},api:{attribute:!1},_suggestions:{state:!0},_snoozed:{state:!0},_message:{state:!0},_error:{state:!0}}}static{this.styles=_}constructor(){super(),this._snoozed=0}connectedCallback(){super.connectedCallback(),this.load()}async load(){if(this.api)try{let e=await this.api.suggestions("pending",100),t=X(),s=e.suggestions.filter(r=>!t.has(r.id));this._snoozed=e.suggestions.length-s.length,this._suggestions=s.sort((r,n)=>n.score-r.score),this._error=void 0}catch(e){this._error=p(e)}}render(){let e=(t,s)=>m(this.hass,t,s);return this._error?o`<p class="error">${e("common.error",{message:this._error})}</p>`:this._suggestions?o`
      <div class="row">
        <button class="refresh" @click=${()=>this.load()}>${e("common.refresh")}</button>
        ${this._snoozed?o`<span class="secondary">${e("suggestions.snoozed",{count:this._snoozed})}</span>`:a}
      </div>
      ${this._message?o`<p class="success message">${this._message}</p>`:a}
      ${this._suggestions.length===0?o`<p class="secondary empty">${e("suggestions.empty")}</p>`:a}
      ${this._suggestions.map(t=>o`<homeiq-suggestion
            .hass=${this.hass}
            .api=${this.api}
            .suggestion=${t}
            @homeiq-suggestion-done=${this.onDone}
          ></homeiq-suggestion>`)}
    `:o`<p class="secondary">${e("common.loading")}</p>`}onDone(e){this._message=e.detail.message,this._suggestions=this._suggestions?.filter(t=>t.id!==e.detail.id)}};customElements.get("homeiq-suggestions-view")||customElements.define("homeiq-suggestions-view",$e);var Xe=["suggestions","ask","automations","habits","settings"],be=class extends u{static{this.properties={hass:{attribute:!1},narrow:{type:Boolean},route:{attribute:!1},panel:{attribute:!1},_tab:{state:!0},_engines:{state:!0},_api:{state:!0},_error:{state:!0}}}constructor(){super(),this.narrow=!1,this._tab="suggestions"}static{this.styles=[_,y`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color, #fafafa);
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        font-size: 20px;
      }
      header button,
      header select {
        color: inherit;
        border-color: transparent;
        background: transparent;
      }
      header .title {
        flex: 1;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
      }
      nav button {
        border: none;
        border-radius: 0;
        border-bottom: 2px solid transparent;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.8;
        padding: 12px 16px;
        text-transform: uppercase;
        font-size: 0.9em;
      }
      nav button[aria-selected="true"] {
        border-bottom-color: currentColor;
        opacity: 1;
      }
      main {
        max-width: 960px;
        margin: 0 auto;
        padding: 16px;
      }
    `]}willUpdate(e){if(e.has("route")&&this.route){let t=this.route.path.replace(/^\//,"").split("/")[0];Xe.includes(t)&&(this._tab=t)}e.has("hass")&&this.hass&&this._engines===void 0&&!this._error&&(this._engines=[],this.loadEngines())}t(e){return m(this.hass,e)}async loadEngines(){try{let{engines:e}=await new A(()=>this.hass).engines();this._engines=e,this._api=new A(()=>this.hass,e.length>1?e[0].entry_id:void 0)}catch(e){this._error=p(e)}}render(){return o`<header>
        ${this.narrow?o`<button class="menu" aria-label="Menu" @click=${this.toggleMenu}>☰</button>`:a}
        <span class="title">${this.t("panel.title")}</span>
        ${this._engines&&this._engines.length>1?o`<select class="engine" aria-label=${this.t("panel.engine")} @change=${this.onEngine}>
              ${this._engines.map(e=>o`<option value=${e.entry_id}>${e.title}</option>`)}
            </select>`:a}
      </header>
      <nav role="tablist">
        ${Xe.map(e=>o`<button role="tab" class="tab" data-tab=${e} aria-selected=${this._tab===e}
            @click=${()=>this.select(e)}>${this.t(`tab.${e}`)}</button>`)}
      </nav>
      <main>
        ${this._error?o`<p class="error">${this.t("common.error").replace("{message}",this._error)}</p>`:this._api?Qe(this._api,this.renderView()):o`<p class="secondary">${this.t("common.loading")}</p>`}
      </main>`}renderView(){switch(this._tab){case"suggestions":return o`<homeiq-suggestions-view .hass=${this.hass} .api=${this._api}></homeiq-suggestions-view>`;case"ask":return o`<homeiq-ask-view .hass=${this.hass} .api=${this._api}></homeiq-ask-view>`;case"automations":return o`<homeiq-automations-view .hass=${this.hass} .api=${this._api}></homeiq-automations-view>`;case"habits":return o`<homeiq-habits-view .hass=${this.hass} .api=${this._api}></homeiq-habits-view>`;case"settings":return o`<homeiq-settings-view .hass=${this.hass} .api=${this._api}></homeiq-settings-view>`}}select(e){this._tab=e,this.route&&history.replaceState(null,"",`${this.route.prefix}/${e}`)}onEngine(e){this._api=new A(()=>this.hass,e.target.value)}toggleMenu(){this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}};customElements.get("homeiq-panel")||customElements.define("homeiq-panel",be);var L="homeiq-suggestions-card",et=20;function St(i){if(typeof i!="object"||i===null)throw new Error("Invalid configuration");let{type:e,count:t=3,title:s,entry_id:r}=i;if(typeof t!="number"||!Number.isInteger(t)||t<1||t>et)throw new Error(`count must be a whole number from 1 to ${et}`);if(s!==void 0&&typeof s!="string")throw new Error("title must be text");if(r!==void 0&&typeof r!="string")throw new Error("entry_id must be a config entry id");return{type:String(e??`custom:${L}`),count:t,...s===void 0?{}:{title:s},...r===void 0?{}:{entry_id:r}}}var we=class extends u{static{this.properties={hass:{attribute:!1},_config:{state:!0},_suggestions:{state:!0},_message:{state:!0},_error:{state:!0}}}static getStubConfig(){return{count:3}}static{this.styles=[_,y`
      .card {
        margin: 0;
      }
      homeiq-suggestion {
        --ha-card-border-width: 0;
      }
    `]}setConfig(e){this._config=St(e),this._api=void 0,this._suggestions=void 0}getCardSize(){return 1+3*(this._config?.count??3)}willUpdate(){this.hass&&this._config&&!this._api&&(this._api=new A(()=>this.hass,this._config.entry_id),this.load())}async load(){if(!(!this._api||!this._config))try{let e=await this._api.suggestions("pending",this._config.count+10),t=X();this._suggestions=e.suggestions.filter(s=>!t.has(s.id)).sort((s,r)=>r.score-s.score),this._error=void 0}catch(e){this._error=p(e)}}render(){if(!this._config)return a;let e=(this._suggestions??[]).slice(0,this._config.count);return o`<div class="card">
      <h2>${this._config.title??m(this.hass,"card.title")}</h2>
      ${this._error?o`<p class="error">${this._error}</p>`:a}
      ${this._message?o`<p class="success message">${this._message}</p>`:a}
      ${this._suggestions===void 0&&!this._error?o`<p class="secondary">${m(this.hass,"common.loading")}</p>`:a}
      ${this._suggestions?.length===0?o`<p class="secondary empty">${m(this.hass,"card.empty")}</p>`:a}
      ${e.map(t=>o`<homeiq-suggestion compact .hass=${this.hass} .api=${this._api} .suggestion=${t}
            @homeiq-suggestion-done=${this.onDone}></homeiq-suggestion>`)}
    </div>`}onDone(e){this._message=e.detail.message,this._suggestions=this._suggestions?.filter(t=>t.id!==e.detail.id)}};customElements.get(L)||customElements.define(L,we);window.customCards=window.customCards??[];if(!window.customCards.some(i=>i.type===L)){let i=document.documentElement.lang||navigator.language;window.customCards.push({type:L,name:m({language:i},"card.name"),description:m({language:i},"card.description"),preview:!1})}
